\ error: 3:8 `then` without `if`
\ kind: control_structure
: main then ;
