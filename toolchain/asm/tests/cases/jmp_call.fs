\ Targets are names or word addresses as encoded.
\ expect: 0001 0010 3fff 4000 0001 4008 2008 0005 0000
: main jmp $10 jz $1fff call 0 jmp main call fwd jz fwd jmp 5 ;fallthru
label fwd inst 0
