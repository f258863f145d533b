# catalogue.yaml (16 lines) gets a second YAML document after it: "---" on
# line 17, column 1. libyaml would read the first document only.
printf -- '---\ndefinitions: {}\n' >>indicators/catalogue.yaml
