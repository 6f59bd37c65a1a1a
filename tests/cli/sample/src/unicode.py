café = eval(données)  # é😀
