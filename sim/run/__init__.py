"""Running replicates: seeds, executors, ensembles and the results directory."""
