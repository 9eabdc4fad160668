\ error: 3:14 `x` is not a node register
\ kind: bad_operand
: main nn@ 5 x ;
