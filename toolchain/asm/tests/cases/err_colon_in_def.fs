\ error: 3:10 `:` inside the definition of `main`
\ kind: control_structure
: main 1 : foo ;
