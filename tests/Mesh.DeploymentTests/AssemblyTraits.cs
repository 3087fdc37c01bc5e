// Every test here runs in-process and starts no other program: all of them are in
// ./mesh.sh test --fast (tools/Mesh.TestRunner/TestFilter.cs).
[assembly: AssemblyTrait("Category", "Fast")]
