\ error: 3:13 `b8` is not a block register
\ kind: bad_operand
: main bsel b8 ;
