from leankanban.cli import main

main()
