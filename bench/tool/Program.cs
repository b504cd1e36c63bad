using ChatKit.Bench.Cli;

// ckbench: the benchmark and reliability drills of bench/README.md. `ckbench --help` lists the commands.
return await BenchCli.InvokeAsync(args);
