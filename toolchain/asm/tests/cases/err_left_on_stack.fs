\ error: 4:3 left on the assembly-time stack
\ kind: left_on_stack
: main ;
1 2
