\ expect: 0001 6011 2006 8001 6c03 4001 608c
: main dup if 1 - recurse then ;
