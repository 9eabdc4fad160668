\ error: 3:13 `until` does not match the open `if`
\ kind: control_structure
: main 1 if until ;
