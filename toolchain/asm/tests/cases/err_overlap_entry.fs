\ error: 4:9 overlaps
\ kind: overlap
: main ;
0 org 1 ,
