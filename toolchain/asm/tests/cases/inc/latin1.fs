\ included by latin1_include.fs: café
create s1 s," é"
