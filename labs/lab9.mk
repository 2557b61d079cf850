# Lab 9 manifest (see labs/lab1.mk for the keys).
LAB9_NAME := async
LAB9_TITLE := Cooperative tasks: futures, an executor with wakers, a keyboard stream and sleeps
LAB9_SRCS := kernel/task/executor.c kernel/task/join.c kernel/task/keystream_given.c \
	kernel/task/sleep_given.c kernel/tests/lab9_tests.c \
	kernel/tests/lab9_bench.c
LAB9_EXERCISES := kernel/task/executor_core.c kernel/task/spsc.c kernel/task/keystream.c \
	kernel/task/sleep.c
LAB9_HANDOUT := handouts/lab9-async.md
# make lab-9 runs three tasks on the executor: a keyboard echo, a clock printing every second
# and a counter.
LAB9_DEMO := run=lab9.demo
