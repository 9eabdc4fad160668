\ Every number syntax; [char] and char read the next token raw.
\ expect: 0001 8041 800a 801f 800a 80ff 800a 8004 6600 807a 805a 801f 8028 805c 8004 6600
: main 'A' %1010 0x1F #10 h# ff d# 10 -5 [char] z char Z $1f [char] ( [char] \ d# -5 ;fallthru
