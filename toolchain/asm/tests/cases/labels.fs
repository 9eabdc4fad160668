\ label NAME names here; usable as a call/jump target, also forward.
\ expect: 0003 8007 0001 8001 4001 0001 0001
label top 7 constant seven inst $8007 jmp top
: main 1 call top jmp top jmp $1 ;fallthru
