\ error: 3:20 `else` does not match the open `else`
\ kind: control_structure
: main 1 if else 2 else then ;
