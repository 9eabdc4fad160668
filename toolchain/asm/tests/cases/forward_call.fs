\ expect: 0001 4003 0005 8001 608c 0003
: main a b ;
: a 1 ;
: b a ;
