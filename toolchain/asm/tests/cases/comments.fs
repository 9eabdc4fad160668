\ expect: 0001 8001 8002
\ : main 99 ;
( a paren comment
  over two lines ; )
: main ( n -- ) 1 \ ;
  ( ) 2 ;fallthru   \ comment at the end
