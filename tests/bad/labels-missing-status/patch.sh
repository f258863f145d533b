# Templates: labels.yaml lacks status code not_applicable (section status: at line 3).
replace templates/labels.yaml "  not_applicable: 不适用
" ""
