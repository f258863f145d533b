# provenance.yaml: key misspelt statment (line 2 column 1); the statement is then missing too.
replace data/bx/provenance.yaml "statement:" "statment:"
