from keras_nnaqc.cli import main

main()
