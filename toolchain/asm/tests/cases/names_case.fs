\ Names are case-insensitive; the symbol keeps its first spelling.
\ expect: 0003 8001 608c 4001 0001
\ symbol: Foo word $0002
: Foo 1 ;
: MAIN foo FOO ;
