"""The shell: sessions, the console and batch front-ends, pipes, paging and replay."""
