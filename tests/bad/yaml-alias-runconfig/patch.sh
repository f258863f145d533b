# A run configuration (indicators/run.yaml, read by default) whose data
# directory is an alias of its output directory (*o, line 2 column 7): the
# configuration is refused (exit 2) before anything runs.
printf 'out: &o out\ndata: *o\n' >indicators/run.yaml
