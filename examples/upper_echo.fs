\ upper_echo.fs — echo the input in upper case, forever. In `j1k sim` the run
\ ends once input is exhausted and the UART has been idle for --idle-cycles.
include lib/io.fs

: upper ( c -- C )  dup [char] a - 26 u< if 32 - then ;

: main  init begin key upper emit again ;
