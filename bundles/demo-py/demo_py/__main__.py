from demo_py.server import main

main()
