namespace Probe.Core.Hub;

/// <summary>What <c>GET {endpoint}/api/models/{repo}/revision/{revision}</c> says: the commit and every file in it.</summary>
sealed record HubRepoInfo(string Commit, IReadOnlyCollection<string> Files);
