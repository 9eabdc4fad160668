\ expect: 0003 0000 0000 8002 8004 6033 6103 5002 8002 6033 6103
\ symbol: a variable $0002
\ symbol: b variable $0004
variable a
variable b
: main a b ! b @ a ! ;fallthru
