\ error: 4:1 definition of `main` is not closed at end of file
\ kind: control_structure
: main 1 2
