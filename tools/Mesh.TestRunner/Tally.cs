namespace Mesh.TestRunner;

/// <summary>Test counts: of one project's run, or summed over the runs.</summary>
public readonly record struct Tally(int Passed, int Failed, int Skipped)
{
    public static Tally operator +(Tally left, Tally right) =>
        new(left.Passed + right.Passed, left.Failed + right.Failed, left.Skipped + right.Skipped);

    public override string ToString() => $"{Passed} passed, {Failed} failed, {Skipped} skipped";
}
