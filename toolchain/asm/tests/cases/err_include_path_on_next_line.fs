\ error: 3:1 `include` needs a file path on its line
\ kind: missing_operand
include
: main ;
