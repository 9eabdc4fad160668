\ error: 5:3 overlaps
\ kind: overlap
: main 1 2 ;
4 org
5 ,
