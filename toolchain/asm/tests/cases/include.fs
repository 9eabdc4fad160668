\ include is relative to the including file (inc/lib.fs includes nested.fs).
\ expect: 0004 608c 6011 628f 0002
\ symbol: twice word $0004
\ listing: nested.fs:2  : noop2 ;
include inc/lib.fs
: main twice ;
