\ error: 3:16 `repeat` without `while`
\ kind: control_structure
: main begin 1 repeat ;
