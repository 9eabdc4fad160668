\ error: 3:8 `x` is a constant defined after this use
\ kind: not_code
: main x ;
5 constant x
