namespace Ablations.Experiments;

/// <summary>What a claim says of variant A's value relative to variant B's.</summary>
public enum ClaimExpectation { Lower, Higher, Similar }
