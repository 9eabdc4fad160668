\ error: 3:13 `b1` is not a node register
\ kind: bad_operand
: main nsel b1 ;
