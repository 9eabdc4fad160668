\ error: 4:1 `,` needs a value
\ kind: stack_underflow
: main ;
,
