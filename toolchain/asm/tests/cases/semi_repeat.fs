\ After repeat the end is a branch target (the while exit): exit.
\ expect: 0001 8001 2005 6011 0001 608c
: main begin 1 while dup repeat ;
