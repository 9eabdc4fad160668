\ error: 3:8 `bsel` needs a block register
\ kind: missing_operand
: main bsel ;
