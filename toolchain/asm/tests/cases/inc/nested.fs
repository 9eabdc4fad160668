\ included by lib.fs, relative to inc/
: noop2 ;
