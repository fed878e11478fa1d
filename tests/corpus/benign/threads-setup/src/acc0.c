#define ACC_NAME _acc0
#define ACC_INIT PyInit__acc0
#include "acc_common.h"
