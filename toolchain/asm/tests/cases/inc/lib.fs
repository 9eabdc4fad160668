\ included by include.fs and err_duplicate_include.fs
include nested.fs
: twice dup + ;
