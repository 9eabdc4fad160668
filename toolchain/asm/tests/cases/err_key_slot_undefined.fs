\ error: 3:12 undefined name `slot`
\ kind: undefined_name
: main nb@ slot ;
