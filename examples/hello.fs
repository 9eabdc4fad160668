\ hello.fs — the smallest complete program: print a line and halt.
include lib/io.fs

create greeting ," Hello, world!"

: main  init greeting print cr halt ;
