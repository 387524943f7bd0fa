#!/usr/bin/env python3
"""Writes normalization_table.txt, the Unicode data UnicodeNormalizer needs, from Python's unicodedata.

.NET cannot normalize under InvariantGlobalization (string.Normalize returns its input unchanged on Linux), so the
tables travel with the assembly. One line per code point that has a non-zero canonical combining class or a
decomposition mapping (Hangul syllables are algorithmic and left out):

    <cp hex> <ccc> <kind> [<mapping hex> ...]

kind: '-' no mapping, 'c' canonical, 'k' compatibility, 'x' canonical but excluded from composition
(CompositionExclusions + singletons + non-starter decompositions, i.e. NFC(cp) != cp).
Run with the Python whose Unicode version the header records: python3 make_normalization_table.py
"""
import sys
import unicodedata

out = [f"# Unicode {unicodedata.unidata_version}, from Python {sys.version.split()[0]} unicodedata; see make_normalization_table.py"]
for cp in range(0x110000):
    if 0xD800 <= cp <= 0xDFFF or 0xAC00 <= cp <= 0xD7A3:
        continue
    ch = chr(cp)
    ccc = unicodedata.combining(ch)
    dec = unicodedata.decomposition(ch)
    if not ccc and not dec:
        continue
    if not dec:
        out.append(f"{cp:X} {ccc} -")
        continue
    parts = dec.split()
    if parts[0].startswith("<"):
        out.append(f"{cp:X} {ccc} k " + " ".join(parts[1:]))
    else:
        # A primary composite: NFC recomposes it from its own two-part decomposition.
        kind = "c" if len(parts) == 2 and unicodedata.normalize("NFC", unicodedata.normalize("NFD", ch)) == ch else "x"
        out.append(f"{cp:X} {ccc} {kind} " + " ".join(parts))
with open("normalization_table.txt", "w", encoding="ascii", newline="\n") as f:
    f.write("\n".join(out) + "\n")
