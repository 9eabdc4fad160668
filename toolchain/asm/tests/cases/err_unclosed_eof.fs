\ error: 4:1 `begin` is not closed at end of file
\ kind: control_structure
: main begin 2
