\ error: 3:1 `:` needs a name
\ kind: missing_operand
: ; 
