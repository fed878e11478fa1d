#define ACC_NAME _acc2
#define ACC_INIT PyInit__acc2
#include "acc_common.h"
