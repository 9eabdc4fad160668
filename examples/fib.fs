\ fib.fs — recursive Fibonacci: fib(0) .. fib(12), one call per node of the
\ call tree. Recursion depth stays within the J1a's stacks (18 return, 17 data).
include lib/io.fs

: fib ( n -- fib[n] )
    dup 2 < if exit then
    dup 1- fib swap 2 - fib + ;

: main
    init
    0 begin dup 13 < while dup fib . 1+ repeat drop
    cr halt ;
